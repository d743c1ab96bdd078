/** A shim under ND4J's old package name that turns DL4J's oneDNN helpers back on (see {@link org.nd4j.nativeblas.Nd4jCpu}). */
package org.nd4j.nativeblas;
