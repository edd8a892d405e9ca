// Filled by its issue; see docs/ARCHITECTURE.md.
