public enum SharedPlaceholder {}
