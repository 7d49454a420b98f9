"""Small building blocks shared by every domain package: clock, cancellation, errors."""
