"""newsledger: news articles in, an evidence-linked ledger of who said and did what out."""

__version__ = "0.1.0"
