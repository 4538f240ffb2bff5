"""Parcels (pakker): the one combined parcel per order, its events, backorders."""
