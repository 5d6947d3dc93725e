"""Build: every client built once, with its toolchain, size and library version recorded."""
