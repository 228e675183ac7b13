"""The controlling process (`loanqa load`): plan and start Locust, make the mix's proxies, show the run, publish its
folder. Never imports Locust, gevent or `loanqa_loadtests.run` (checked by import-linter),
so gevent never patches the CLI."""
