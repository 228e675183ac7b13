"""Code that runs inside the Locust processes, under gevent's monkey patching: the borrower and its journey, the
shape, the per-process context, live judgement, metrics and the web tab. Only the locustfile imports it."""
