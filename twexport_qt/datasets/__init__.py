"""Training datasets built from stored tweets: conversations, quality filters, de-duplication, splits and a card."""
