"""Member emails: what each message says (`content`), how it looks
(`render`: HTML with inline CSS and a plain-text part, English and German),
and how it leaves (`sender`: the outbox, claimed and sent by the worker over
SMTP, `delivery`). The rows are written by the books (`books/outbox.py`);
this layer only reads the books and the outbox, and marks what it sent.
"""
