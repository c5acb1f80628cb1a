"""cslint: a compliance linter for Chinese e-commerce customer-service chats."""

__version__ = "0.1.0"
