/** Data types that dataset plugins provide and regularizers transform. */
package org.camloss.api.data;
