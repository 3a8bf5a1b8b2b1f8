"""Public works (obras) of a local government: their progress, schedule and status."""
