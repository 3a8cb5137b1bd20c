//! aispm CLI library.
