package hbaseorm.engines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.protobuf.generated.ClientProtos.RegionActionResult;
import org.apache.hadoop.hbase.protobuf.generated.VisibilityLabelsProtos.GetAuthsResponse;
import org.apache.hadoop.hbase.protobuf.generated.VisibilityLabelsProtos.VisibilityLabelsResponse;
import org.apache.hadoop.hbase.security.visibility.VisibilityClient;

/**
 * Defines visibility labels on the HBase that engines/hbase.sh starts and
 * gives one user every one of them, so that the Thrift2 gateway (which runs
 * as that user) reads labelled cells with the authorizations a test asks
 * for.
 *
 * <p>Usage: {@code VisibilityLabels USER LABEL...}. The HBase configuration
 * (ZooKeeper quorum and port) comes from the hbase-site.xml on the class
 * path. The master creates the labels table after it starts and the region
 * serving it refuses calls until its coprocessor is ready, so each call is
 * tried again for a while. Exit status 0 once the user's authorizations read
 * back as asked; 1 with the reason on stderr otherwise.
 */
public final class VisibilityLabels {
  private static final long DEADLINE_MILLIS = 120_000;

  private VisibilityLabels() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: VisibilityLabels USER LABEL...");
      System.exit(2);
    }
    String user = args[0];
    String[] labels = Arrays.copyOfRange(args, 1, args.length);
    Configuration conf = HBaseConfiguration.create();
    long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
    Throwable last = null;
    try (Connection conn = ConnectionFactory.createConnection(conf)) {
      if (!VisibilityClient.isCellVisibilityEnabled(conn)) {
        fail("cell visibility is not enabled (no VisibilityController on the master?)");
      }
      while (System.currentTimeMillis() < deadline) {
        try {
          // A label defined before (a second run) comes back as an error
          // for that label alone: only other errors count.
          check(VisibilityClient.addLabels(conn, labels), "addLabels", true);
          check(VisibilityClient.setAuths(conn, labels, user), "setAuths", false);
          GetAuthsResponse auths = VisibilityClient.getAuths(conn, user);
          List<String> got = new ArrayList<>();
          auths.getAuthList().forEach(b -> got.add(b.toStringUtf8()));
          if (got.containsAll(Arrays.asList(labels))) {
            System.out.println("labels " + String.join(",", labels) + " defined; " + user
                + " holds " + String.join(",", got));
            return;
          }
          last = new IllegalStateException(user + " holds " + got + " after setAuths");
        } catch (Throwable t) {
          last = t;
        }
        Thread.sleep(1_000);
      }
    }
    fail("could not define the labels within " + DEADLINE_MILLIS / 1000 + " s: " + last);
  }

  private static void check(VisibilityLabelsResponse response, String call, boolean existsIsFine) {
    for (RegionActionResult r : response.getResultList()) {
      if (!r.hasException()) {
        continue;
      }
      String name = r.getException().getName();
      if (existsIsFine && name.endsWith("LabelAlreadyExistsException")) {
        continue;
      }
      throw new IllegalStateException(call + " failed: " + name + ": "
          + r.getException().getValue().toStringUtf8());
    }
  }

  private static void fail(String message) {
    System.err.println("VisibilityLabels: " + message);
    System.exit(1);
  }
}
