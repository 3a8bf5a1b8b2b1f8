"""A local government's budget and its execution (the `budget` capability)."""
