"""What X's pay-per-use API costs: the price table, which answers are billable, the spend ledger and its reports."""
