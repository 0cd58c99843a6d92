"""lava-dnf 0.3's ``lava.lib.dnf`` (caldera-lava): dynamic neural fields, implemented by caldera-dnf.

Install ``caldera-dnf`` (``pip install caldera-lava[dnf]``); without it importing ``lava.lib.dnf`` raises an
ImportError that says so.
"""

from lava._compat import requires

requires("caldera-dnf", "caldera_dnf", __name__)
