"""QA tooling on top of the product: the scenario runner and its checks, the demo day, the simulated rig, screenshots and the headless UI driver."""
