"""The domain model: frozen, validated dataclasses in integer units."""

from optimizer.domain.batch import Batch, BatchOptions
from optimizer.domain.delivery import (
    Assignment,
    Candidate,
    Choice,
    DeliveryOption,
    OptionKind,
    PickupPoint,
    Rejection,
    ServiceZone,
)
from optimizer.domain.fleet import Fleet, Vehicle, VehicleType
from optimizer.domain.geo import Location, PlanarPoint, Point
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.plans import Plan, Reason, Route, Unassigned, Visit
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow

__all__ = [
    "Assignment",
    "Candidate",
    "Choice",
    "DeliveryOption",
    "OptionKind",
    "PickupPoint",
    "Rejection",
    "ServiceZone",
    "Batch",
    "BatchOptions",
    "Depot",
    "Fleet",
    "Location",
    "Order",
    "Parcel",
    "PlanarPoint",
    "Plan",
    "Point",
    "Reason",
    "Route",
    "RoutingProblem",
    "TimeWindow",
    "Unassigned",
    "Vehicle",
    "VehicleType",
    "Visit",
]
