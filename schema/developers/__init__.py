"""Developers' API keys: the national administrator issues, lists and revokes them."""
