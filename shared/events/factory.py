"""The transport factory: the profile's sink and sources (Kafka or the embedded log), for the composition roots.

Apart from ``shared.events.transport`` (the contract), so that the implementations import the contract and the
contract imports no implementation.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.config import Settings
from shared.events.transport import EventSink, EventSource, NamespacedSink, NamespacedSource


def open_sink(settings: Settings) -> EventSink:
    """The profile's sink (Kafka or the embedded log)."""
    sink: EventSink
    if settings.transport == "kafka":
        from shared.events.kafka_transport import KafkaSink

        sink = KafkaSink(settings.kafka_bootstrap)
    else:
        from shared.events.embedded_log import EmbeddedLog, EmbeddedSink

        sink = EmbeddedSink(EmbeddedLog(settings.event_log_path, settings.topic_partitions))
    return NamespacedSink(sink, settings.event_namespace) if settings.event_namespace else sink


def open_source(settings: Settings, *, group: str, topics: Sequence[str]) -> EventSource:
    """The profile's source for one consumer group."""
    prefix = settings.event_namespace
    names = [prefix + t for t in topics]
    source: EventSource
    if settings.transport == "kafka":
        from shared.events.kafka_transport import KafkaSource

        source = KafkaSource(settings.kafka_bootstrap, group=prefix + group, topics=names,
                             partitions=settings.topic_partitions, replication=settings.topic_replication,
                             min_insync=settings.topic_min_insync)
    else:
        from shared.events.embedded_log import EmbeddedLog, EmbeddedSource

        source = EmbeddedSource(EmbeddedLog(settings.event_log_path, settings.topic_partitions), group=prefix + group,
                                topics=names)
    return NamespacedSource(source, prefix) if prefix else source
