"""The API backend's sample store: :mod:`r1bench.store`, shared with the local model classes."""

from r1bench.store import KEY_VERSION, SampleStore, StoredSample, request_key

__all__ = ["SampleStore", "StoredSample", "request_key", "KEY_VERSION"]
