"""Lava's ``lava.magma.core.learning.product_series``: a parsed rule's terms (caldera.learning.grammar)."""

from caldera.learning import Factor, Product, ProductSeries

from lava._compat import missing

__all__ = ["Factor", "Product", "ProductSeries"]
__getattr__ = missing(__name__)
