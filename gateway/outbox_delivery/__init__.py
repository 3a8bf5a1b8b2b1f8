"""Delivery of the hub's outbox: requests to the municipalities' systems of record, their
status read back, and e-mails to citizens (`worker`, `emails`, `settings`)."""
