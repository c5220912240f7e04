"""Errors raised by the quota manager; the HTTP API maps each to one status code."""

from __future__ import annotations


class QuotaError(Exception):
    """Base class of every quota error."""


class UnknownProvider(QuotaError, ValueError):
    """The provider name is not configured (HTTP 400)."""


class UnknownQueryType(QuotaError, ValueError):
    """No configured provider can serve this query type (HTTP 400)."""


class NoQuotaLeft(QuotaError):
    """No enabled provider has quota left for the query type (HTTP 429)."""


class QuotaUnavailable(QuotaError):
    """The ledger's Redis cannot be reached; callers must not assume quota (HTTP 503)."""
