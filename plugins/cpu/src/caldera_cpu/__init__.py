"""caldera-cpu: the NumPy backend of Caldera and the models of every standard process."""

__version__ = "0.1.0"
