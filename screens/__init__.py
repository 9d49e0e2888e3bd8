"""Touch UI on pygame-ce + pygame_gui: one module per screen, widgets, theme, i18n."""
