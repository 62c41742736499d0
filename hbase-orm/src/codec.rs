//! Value codecs: how a typed field becomes cell bytes and back. (being written)
