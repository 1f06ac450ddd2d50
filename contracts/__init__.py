"""What services and workflows exchange without importing each other, typed and free of I/O: the stable error types
(errors.py), the queue names (queues.py), task durations and activity options (timing.py), the typed activity
references (activity.py, and a stub per activity in the module of the service hosting it), the dataclasses each
corridor carries (registration.py, scheduling.py, selection.py, human_tasks.py) and the typed view of each task kind
(tasks.py)."""
