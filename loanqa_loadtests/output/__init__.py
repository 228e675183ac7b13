"""What a run leaves behind: the tally of outcomes, summary.json, journeys.csv, charts and allure-results.
Written by the Locust master (or single process) at quit; never imports Locust or gevent."""
