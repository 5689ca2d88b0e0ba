"""k8slab: a terminal classroom for Kubernetes Service networking."""

__version__ = "0.1.0"
