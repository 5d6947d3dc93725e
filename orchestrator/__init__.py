"""polybench's orchestrator: config -> build -> run -> results -> report."""
