//! OIN submission packager: metadata validation and review bundles (see the packager issue).
