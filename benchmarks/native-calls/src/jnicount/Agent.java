package jnicount;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import jdk.internal.org.objectweb.asm.ClassReader;
import jdk.internal.org.objectweb.asm.ClassVisitor;
import jdk.internal.org.objectweb.asm.ClassWriter;
import jdk.internal.org.objectweb.asm.MethodVisitor;
import jdk.internal.org.objectweb.asm.Opcodes;
import jdk.internal.org.objectweb.asm.Type;

/**
 * A Java agent that counts the calls of every native method of DJL's {@code ai.djl.pytorch.jni.PyTorchLibrary}, the
 * one class through which DJL's PyTorch engine enters libtorch. Each native method {@code m} is renamed to a prefixed
 * native method (the JVM binds it to the same C function, see {@link Instrumentation#setNativeMethodPrefix}) and a
 * Java method {@code m} takes its place that counts the call in {@link Counter} and calls the native one.
 */
public final class Agent {

  private static final String LIBRARY = "ai/djl/pytorch/jni/PyTorchLibrary";
  private static final String PREFIX = "$counted$";

  private Agent() {}

  /**
   * Installs the transformer before any DJL class loads.
   *
   * @param args ignored
   * @param inst the instrumentation
   */
  public static void premain(String args, Instrumentation inst) {
    ClassFileTransformer t = new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
          byte[] bytes) {
        return LIBRARY.equals(name) ? wrap(bytes) : null;
      }
    };
    inst.addTransformer(t, true);
    inst.setNativeMethodPrefix(t, PREFIX);
  }

  private static byte[] wrap(byte[] bytes) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    List<String[]> natives = new ArrayList<>();
    reader.accept(new ClassVisitor(Opcodes.ASM8, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] ex) {
        if ((access & Opcodes.ACC_NATIVE) == 0) {
          return super.visitMethod(access, name, desc, signature, ex);
        }
        natives.add(new String[] {name, desc, String.valueOf(access)});
        return super.visitMethod(access, PREFIX + name, desc, signature, ex);
      }

      @Override
      public void visitEnd() {
        for (String[] m : natives) {
          int access = Integer.parseInt(m[2]) & ~Opcodes.ACC_NATIVE;
          boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
          MethodVisitor mv = super.visitMethod(access, m[0], m[1], null, null);
          mv.visitCode();
          mv.visitLdcInsn(m[0]);
          mv.visitMethodInsn(Opcodes.INVOKESTATIC, "jnicount/Counter", "hit", "(Ljava/lang/String;)V", false);
          int slot = 0;
          if (!isStatic) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            slot = 1;
          }
          for (Type a : Type.getArgumentTypes(m[1])) {
            mv.visitVarInsn(a.getOpcode(Opcodes.ILOAD), slot);
            slot += a.getSize();
          }
          mv.visitMethodInsn(isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL, LIBRARY, PREFIX + m[0], m[1],
              false);
          mv.visitInsn(Type.getReturnType(m[1]).getOpcode(Opcodes.IRETURN));
          mv.visitMaxs(0, 0);
          mv.visitEnd();
        }
        super.visitEnd();
      }
    }, 0);
    return writer.toByteArray();
  }
}
