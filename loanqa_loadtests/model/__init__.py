"""Plain typed values both sides share: the run's options, shapes, SLO sets, routes, tap and retry policies, the
live snapshot. Validated in the control process and handed to Locust as JSON; never imports Locust or gevent."""
