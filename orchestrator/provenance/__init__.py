"""Provenance: the machine, toolchains, library versions and the environment given to clients."""
