package dev.counterweight.core.attribution;

/** What a user did, as far as label attribution is concerned. */
public enum Action {
    /** The item was shown (opens an attribution window). */
    EXPOSURE,
    /** The user clicked (sets the click label inside the window). */
    CLICK,
    /** Added to cart (no label of its own). */
    CART,
    /** Favourited (no label of its own). */
    FAV,
    /** Bought (sets the conversion label, and the click label, inside the window). */
    PURCHASE
}
