"""⑤ The corpus: a SQLite ledger of articles and everything extracted from them.

store.py opens and migrates the file (schema.sql), writer.py stores analyze records batch by batch,
stories.py / resolve.py / quote_groups.py run the corpus steps, queries.py answers the CLI and API.
"""
