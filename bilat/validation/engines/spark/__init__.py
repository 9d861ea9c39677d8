"""Groundwork for running the sql engine on Spark (issue 24): the same sqlglot-compiled
flagging query, transpiled to Spark SQL (:mod:`.flags`), and physical row numbers for
the rows Spark reads (:mod:`.rows`).

Not an engine yet: nothing in :data:`bilat.validation.engines.REGISTRY` names it, and
no command line option reaches it. pyspark is the optional extra ``spark``; this
package imports it only inside functions.
"""
