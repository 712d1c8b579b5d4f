"""Every write about filings, packages and retention: the web pages, the API and the tasks call these."""
