/* Offline stand-in for Bootstrap's JavaScript: nothing to do. */
