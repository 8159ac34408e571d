//! The setup planner on scenario bundles: plans proven in memory, reruns plan nothing.
