"""Server control: start, health-check and stop the shared server, or use a remote one."""
