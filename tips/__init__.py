"""The tip texts: loading and validating content/tips.yaml, and choosing which tip a member sees next."""
