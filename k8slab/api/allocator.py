"""ClusterIP and NodePort allocators, as the apiserver's ipallocator and portallocator behave.

Each Store owns one `ServiceAllocator`, so two clusters in one process never share addresses.
Allocation is random, not sequential: a random start in the upper ("dynamic") band, scanning
forward for a free slot, and only then the lower ("static") band that the v1.27+ apiserver keeps
for addresses users choose themselves (reference section 0, static/dynamic split). The random
source is injectable so tests are deterministic.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Optional, Set, Tuple, Union

DEFAULT_SERVICE_CIDR = "10.96.0.0/12"
DEFAULT_NODE_PORT_RANGE = "30000-32767"


class AllocationError(Exception):
    """An address or port that cannot be had; `str()` is the allocator's own text."""


class NotInRange(AllocationError):
    """The requested value lies outside the configured range."""


class AlreadyAllocated(AllocationError):
    """The requested value belongs to another Service."""


class RangeFull(AllocationError):
    """Nothing left to hand out."""

    def __init__(self) -> None:
        super().__init__("range is full")


def static_band(size: int, minimum: int, maximum: int, step: int, strict_below: bool) -> int:
    """min(max(minimum, size/step), maximum), or 0 for ranges too small to split (calculateRangeOffset)."""
    if size < minimum or (not strict_below and size == minimum):
        return 0
    return max(minimum, min(size // step, maximum))


class _Bitmap:
    """Which offsets in [0, size) are taken; random allocation prefers offsets >= static."""

    def __init__(self, size: int, static: int, rng: random.Random):
        self.size = max(size, 0)
        self.static = min(static, self.size)
        self._rng = rng
        self._taken: Set[int] = set()

    def __contains__(self, offset: int) -> bool:
        return offset in self._taken

    def __len__(self) -> int:
        return len(self._taken)

    def take(self, offset: int) -> bool:
        """Mark one offset taken; False if it already was."""
        if offset in self._taken:
            return False
        self._taken.add(offset)
        return True

    def release(self, offset: int) -> None:
        """Give one offset back (releasing a free offset is harmless)."""
        self._taken.discard(offset)

    def take_next(self) -> Optional[int]:
        """A random free offset, upper band first; None when everything is taken."""
        if len(self._taken) >= self.size:
            return None
        for low, high in ((self.static, self.size), (0, self.static)):
            span = high - low
            if span <= 0:
                continue
            start = self._rng.randrange(span)
            for i in range(span):
                offset = low + (start + i) % span
                if offset not in self._taken:
                    self._taken.add(offset)
                    return offset
        return None


class IPAllocator:
    """Service ClusterIPs from one IPv4 CIDR; the network and broadcast addresses are never handed out."""

    def __init__(self, cidr: str = DEFAULT_SERVICE_CIDR, rng: Optional[random.Random] = None):
        self.network = ipaddress.IPv4Network(cidr, strict=False)
        self.cidr = str(self.network)
        self._base = int(self.network.network_address) + 1
        size = self.network.num_addresses - 2
        band = static_band(self.network.num_addresses, 16, 256, 16, strict_below=True)
        self._bits = _Bitmap(size, band, rng or random.Random())

    @property
    def size(self) -> int:
        """How many addresses can be handed out."""
        return self._bits.size

    @property
    def used(self) -> int:
        """How many addresses are handed out."""
        return len(self._bits)

    def _offset(self, ip: str) -> Optional[int]:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        offset = int(addr) - self._base
        if addr.version != 4 or not 0 <= offset < self._bits.size:
            return None
        return offset

    def contains(self, ip: str) -> bool:
        """Whether `ip` is an address this allocator could hand out."""
        return self._offset(ip) is not None

    def is_allocated(self, ip: str) -> bool:
        """Whether `ip` is currently taken."""
        offset = self._offset(ip)
        return offset is not None and offset in self._bits

    def allocate(self, ip: str) -> None:
        """Reserve one chosen address (NotInRange, AlreadyAllocated)."""
        offset = self._offset(ip)
        if offset is None:
            raise NotInRange(
                f"the provided IP ({ip}) is not in the valid range. The range of valid IPs is {self.cidr}"
            )
        if not self._bits.take(offset):
            raise AlreadyAllocated("provided IP is already allocated")

    def allocate_next(self) -> str:
        """Reserve a random free address (RangeFull)."""
        offset = self._bits.take_next()
        if offset is None:
            raise RangeFull()
        return str(ipaddress.IPv4Address(self._base + offset))

    def release(self, ip: str) -> None:
        """Free an address; addresses outside the range are ignored."""
        offset = self._offset(ip)
        if offset is not None:
            self._bits.release(offset)


PortRange = Union[str, Tuple[int, int]]


def parse_port_range(value: PortRange) -> Tuple[int, int]:
    """`30000-32767` (the apiserver flag's form) or a (first, last) pair."""
    if isinstance(value, tuple):
        first, last = value
    else:
        first_text, _, last_text = value.partition("-")
        first, last = int(first_text), int(last_text or first_text)
    if not 0 < first <= last <= 65535:
        raise ValueError(f"invalid port range {value!r}")
    return first, last


class PortAllocator:
    """NodePorts (and healthCheckNodePorts) from one inclusive port range."""

    def __init__(self, port_range: PortRange = DEFAULT_NODE_PORT_RANGE, rng: Optional[random.Random] = None):
        self.first, self.last = parse_port_range(port_range)
        self.range_text = f"{self.first}-{self.last}"
        size = self.last - self.first + 1
        band = static_band(size, 16, 128, 32, strict_below=False)
        self._bits = _Bitmap(size, band, rng or random.Random())

    @property
    def used(self) -> int:
        """How many ports are handed out."""
        return len(self._bits)

    def contains(self, port: int) -> bool:
        """Whether `port` lies in the range."""
        return self.first <= port <= self.last

    def is_allocated(self, port: int) -> bool:
        """Whether `port` is currently taken."""
        return self.contains(port) and (port - self.first) in self._bits

    def allocate(self, port: int) -> None:
        """Reserve one chosen port (NotInRange, AlreadyAllocated)."""
        if not self.contains(port):
            raise NotInRange(
                f"provided port is not in the valid range. The range of valid ports is {self.range_text}"
            )
        if not self._bits.take(port - self.first):
            raise AlreadyAllocated("provided port is already allocated")

    def allocate_next(self) -> int:
        """Reserve a random free port (RangeFull)."""
        offset = self._bits.take_next()
        if offset is None:
            raise RangeFull()
        return self.first + offset

    def release(self, port: int) -> None:
        """Free a port; ports outside the range are ignored."""
        if self.contains(port):
            self._bits.release(port - self.first)


class ServiceAllocator:
    """The pair of allocators one cluster's Services draw from."""

    def __init__(
        self,
        service_cidr: str = DEFAULT_SERVICE_CIDR,
        node_port_range: PortRange = DEFAULT_NODE_PORT_RANGE,
        rng: Optional[random.Random] = None,
    ):
        rng = rng or random.Random()
        self.ips = IPAllocator(service_cidr, rng)
        self.ports = PortAllocator(node_port_range, rng)


def nth_service_ip(cidr: str = DEFAULT_SERVICE_CIDR, n: int = 1) -> str:
    """The n-th address of a service CIDR: 1 is the `kubernetes` Service, 10 kube-dns (kubeadm)."""
    network = ipaddress.IPv4Network(cidr, strict=False)
    return str(network.network_address + n)
