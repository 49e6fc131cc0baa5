"""⑦ `newsledger serve`: the HTTP API (api.py) and the explorer pages (pages.py) over a ledger.

app.py builds the app and runs it; render.py turns an article's spans into escaped, highlighted
HTML; chart.py draws an entity's timeline as SVG; templates/ and static/ ship in the package.
"""
