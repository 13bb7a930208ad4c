"""The ground floor: rules every app shares and that know nothing of any app."""
