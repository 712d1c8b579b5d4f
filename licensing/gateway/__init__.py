"""Enforcement at the gateway: the model-serving platform's API keys, and what a gateway is told per request."""
