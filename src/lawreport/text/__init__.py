"""Report text: reading report documents and finding the figures they state."""
