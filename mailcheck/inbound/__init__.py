"""Test mails: a one-time address the customer's mail program sends to, the SMTP receiver that
takes the mail, and the grading of what the program actually sent (grading.py: no Django)."""
