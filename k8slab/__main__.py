"""`python -m k8slab`: the same as the `k8slab` command."""

import sys

from k8slab.app import main

sys.exit(main())
